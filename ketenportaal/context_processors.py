from django.conf import settings


def portal(request) -> dict:
    return {"TWO_FACTOR_REQUIRED": settings.TWO_FACTOR_REQUIRED}
