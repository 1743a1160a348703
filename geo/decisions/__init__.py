"""Restriction and suspension decisions (RULES.md §4): a pure domain, no SQL, no web.

* ``vocab``     enums of the domain (kinds, scopes, issuers, reasons, activities) + Vietnamese
* ``model``     frozen records ``Decision``, ``Extension``, ``Revocation``; ``status_at``
* ``timeline``  ``effective_window`` of a decision after extensions and revocation
* ``authority`` issuer and duration rules of Law 66/2020 Art 11 (``authority.yaml``)
* ``notices``   Vietnamese texts of Forms 17-24 (Appendix I) and 01-04 (Appendix II) of
  Circular 112/2025/TT-BQP, as HTML or plain text
"""
