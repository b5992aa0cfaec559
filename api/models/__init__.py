from api.models.calls import ApiCall
from api.models.clients import PartnerClient

__all__ = ["ApiCall", "PartnerClient"]
