"""The zone registry's domain: prohibited zones (land, sea), restricted-activity areas at
sea and temporary zones in the territorial sea as legal records.

Modules:

* ``kinds``     — issuers, authority levels, and who may register which kind (roles);
* ``authority`` — which issuer may establish which kind: the rules of ``authority.yaml``,
                  with citations drawn from the rule catalogue (``geo.rules``);
* ``versions``  — the legal record's fields, checked, and the rules of versions: amending
                  closes the current version when the new one starts; retiring closes it;
                  nothing is deleted.

Pure domain: may import ``geo`` (errors, rules, security, timeutil, zones) and PyYAML;
never ``geo.store``, ``api``, SQL or a web framework (import-linter contract). Storage is
``geo.store.zones.registry``.
"""
