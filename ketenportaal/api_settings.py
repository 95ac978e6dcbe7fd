"""The API's settings (Django REST Framework and drf-spectacular), kept out of settings.py so that it
stays a readable size; settings.py imports them as REST_FRAMEWORK and SPECTACULAR_SETTINGS."""

from __future__ import annotations

import environ


def rest_framework(env: environ.Env) -> dict:
    return {
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "rest_framework.authentication.SessionAuthentication",
            # Tokens of API connections: hashed, with expiry, rotation and revocation
            # (stakeholders/models/api_tokens.py).
            "stakeholders.authentication.ApiTokenAuthentication",
        ],
        "DEFAULT_PERMISSION_CLASSES": ["stakeholders.permissions.ChainPolicyPermission"],
        "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
        # The API's edge (ketenportaal/api.py): bounded JSON bodies, one error shape, pages from 1.
        "DEFAULT_PARSER_CLASSES": ["ketenportaal.api.JSONParser"],
        "EXCEPTION_HANDLER": "ketenportaal.api.exception_handler",
        "DEFAULT_PAGINATION_CLASS": "ketenportaal.api.PageNumberPagination",
        "PAGE_SIZE": 100,
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
        # In the default cache (Redis whenever REDIS_URL is set, so shared by every process). Writes are
        # limited per token (per person for a session): 429 with Retry-After (ketenportaal.api.WriteThrottle).
        "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle", "ketenportaal.api.WriteThrottle"],
        "DEFAULT_THROTTLE_RATES": {
            "user": env.str("API_USER_THROTTLE", default="5000/hour"),
            "write": env.str("API_WRITE_THROTTLE", default="120/minute"),
        },
    }


SPECTACULAR_SETTINGS = {
    "TITLE": "Ketenportaal API",
    "DESCRIPTION": "Chains, partners, people, indicators, figures and roll-ups of a chain.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation documents every status it can answer, refusals in the one error shape.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "ketenportaal.api.document_errors"],
    # Several models have a "kind" or "status" with different choices: name each enum after its choices.
    "ENUM_NAME_OVERRIDES": {
        "ChainKindEnum": "stakeholders.models.chains.ChainKind",
        "PartnershipStatusEnum": "stakeholders.models.chains.PartnershipStatus",
        "FrequencyEnum": "stakeholders.models.chains.ReportingFrequency",
        "IndicatorKindEnum": "ambitions.models.IndicatorKind",
        "VersionStatusEnum": "ambitions.models.VersionStatus",
        "SubmissionStatusEnum": "ambitions.models.SubmissionStatus",
        "ProgressStatusEnum": "ambitions.services.progress.Status",
        "SeverityEnum": "governance.models.bottlenecks.Severity",  # a bottleneck's impact and urgency
        "BenefitStatusEnum": "ambitions.models.benefits.BenefitStatus",
        "ContributionKindEnum": "stakeholders.models.contributions.ContributionKind",
        "EngagementEnum": "stakeholders.models.register.Engagement",  # current and desired engagement
    },
}
