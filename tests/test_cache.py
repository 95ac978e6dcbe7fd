"""The Redis cache backend (ketenportaal/cache.py): Django's, with one client per pool."""

from django.conf import settings

from ketenportaal.cache import RedisCache
from tests.services import requires_services


@requires_services(redis=True)
def test_one_redis_client_serves_every_call_and_the_cache_still_works():
    cache = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": "kp-test-cache"})
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client("another key", write=True) is client  # not rebuilt per call
    cache.set("greeting", {"nl": "hallo"}, 30)
    assert cache.get_many(["greeting", "missing"]) == {"greeting": {"nl": "hallo"}}
    cache.delete("greeting")
    assert cache.get("greeting") is None
    assert cache._cache.get_client(write=True) is client


@requires_services(redis=True)
def test_the_portal_uses_it_when_redis_is_configured():
    assert settings.CACHES["default"]["BACKEND"] == "ketenportaal.cache.RedisCache"
