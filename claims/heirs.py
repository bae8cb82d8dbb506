"""Who receives a death benefit: the legal order of heirs (PP 44/2015 Pasal 40(2) for JKM, Pasal 37(5) for JKK).

(1) janda, duda or anak, as one group; else (2) blood relatives up and down to the second degree; else
(3) saudara kandung; else (4) mertua; else (5) whoever a wasiat names. With none of them, only the funeral part is
paid, to whoever arranged the funeral, and the rest goes to the Dana Jaminan Sosial.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims.models import AhliWaris

R = AhliWaris.Relationship

HEIR_GROUPS = [
    (1, frozenset({R.JANDA, R.DUDA, R.ANAK}), gettext_lazy("janda, duda atau anak")),
    (2, frozenset({R.ORANG_TUA, R.CUCU, R.KAKEK_NENEK}), gettext_lazy("keturunan sedarah sampai derajat kedua")),
    (3, frozenset({R.SAUDARA_KANDUNG}), gettext_lazy("saudara kandung")),
    (4, frozenset({R.MERTUA}), gettext_lazy("mertua")),
    (5, frozenset({R.WASIAT}), gettext_lazy("pihak yang ditunjuk dalam wasiat")),
]
SPOUSES = frozenset({R.JANDA, R.DUDA})


@dataclass(frozen=True)
class HeirProposal:
    """The proposed recipients; ``funeral_only`` when no heir in the legal order exists."""

    group: int | None
    recipients: list[AhliWaris] = field(default_factory=list)
    funeral_only: bool = False
    explanation: str = ""

    @property
    def recipient_ids(self) -> set[int]:
        return {heir.pk for heir in self.recipients}


def propose_recipients(heirs: Iterable[AhliWaris]) -> HeirProposal:
    """The first group of the legal order that has anyone in it receives the benefit."""
    heirs = list(heirs)
    if not heirs:
        return HeirProposal(group=None, explanation=_("Ahli waris belum dicatat."))
    for group, relationships, label in HEIR_GROUPS:
        members = [heir for heir in heirs if heir.relationship in relationships]
        if members:
            return HeirProposal(
                group=group,
                recipients=members,
                explanation=_("Penerima: golongan %(group)s, %(label)s (PP 44/2015 Pasal 40 ayat (2)).")
                % {"group": group, "label": label},
            )
    arrangers = [heir for heir in heirs if heir.relationship == R.PENGURUS_PEMAKAMAN]
    return HeirProposal(
        group=None,
        recipients=arrangers,
        funeral_only=True,
        explanation=_(
            "Tidak ada ahli waris menurut urutan PP 44/2015 Pasal 40 ayat (2): hanya biaya pemakaman yang "
            "dibayarkan kepada pihak yang mengurus pemakaman; sisanya menjadi milik Dana Jaminan Sosial."
        ),
    )


def proposal_for_claim(claim, heirs: Iterable[AhliWaris], granted_child_ids: set[int]) -> HeirProposal:
    """Death benefits follow the legal order; beasiswa goes to the granted children; other JKK benefits (care,
    STMB, cacat) are paid to the participant."""
    heirs = list(heirs)
    if claim.is_death:
        return propose_recipients(heirs)
    if claim.type == claim.Type.BEASISWA or granted_child_ids:
        children = [heir for heir in heirs if heir.pk in granted_child_ids]
        return HeirProposal(
            group=None,
            recipients=children,
            explanation=_("Beasiswa dibayarkan untuk anak yang memenuhi syarat, melalui orang tua atau walinya."),
        )
    return HeirProposal(group=None, explanation=_("Manfaat dibayarkan kepada peserta sendiri."))


def children_in_order(children: Iterable[AhliWaris], earlier_niks: set[str]) -> list[AhliWaris]:
    """Children who already received beasiswa first, then the eldest (the order places are given in)."""
    return sorted(children, key=lambda child: (child.nik not in earlier_niks, child.tanggal_lahir, child.pk or 0))


def has_spouse(heirs: Iterable[AhliWaris]) -> bool:
    return any(heir.relationship in SPOUSES for heir in heirs)
