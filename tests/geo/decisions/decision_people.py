"""Issuers and the reference instant shared by the decision domain tests (Lạng Sơn)."""

from datetime import datetime, timedelta

from geo.common.timeutil import HANOI
from geo.decisions.model import Issuer, IssuerRole

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=HANOI)
H = timedelta(hours=1)

POST = Issuer(
    IssuerRole.BORDER_POST_COMMANDER, "Đồn Biên phòng Chi Ma", "Nguyễn Văn An", "Thiếu tá"
)
COMMANDER = Issuer(
    IssuerRole.PROVINCIAL_BDBP_COMMANDER,
    "Ban Chỉ huy Bộ đội Biên phòng tỉnh Lạng Sơn",
    "Trần Văn Bình",
    "Đại tá",
)
COMMITTEE = Issuer(
    IssuerRole.PROVINCIAL_PEOPLES_COMMITTEE, "Ủy ban nhân dân tỉnh Lạng Sơn", "Lê Thị Cúc"
)
CHAIRMAN = Issuer(
    IssuerRole.PROVINCIAL_PEOPLES_COMMITTEE_CHAIRMAN, "Ủy ban nhân dân tỉnh Lạng Sơn", "Lê Thị Cúc"
)
PM = Issuer(IssuerRole.PRIME_MINISTER, "Chính phủ", "Phạm Văn Dũng")
LAW = "Law 66/2020/QH14"
