"""Factories of the cooperation app: competent authorities of other Parties (Art. 22.1)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from cooperation.models import AuthorityKind, Channel, CompetentAuthority


class CompetentAuthorityFactory(DjangoModelFactory):
    """Sweden's customs, designated, which may receive personal data under an agreement."""

    class Meta:
        model = CompetentAuthority
        django_get_or_create = ("country", "name")

    country = "SE"
    name = factory.Sequence(lambda n: f"Tullverket {n}")
    kind = AuthorityKind.CUSTOMS
    email = "registrator@tullverket.example"
    channels = factory.LazyFunction(lambda: [Channel.API, Channel.EMAIL])
    agreements = "Regulation (EC) No 515/97"
    personal_data_allowed = True
