from core.cache import RedisCache


def test_one_redis_client_is_reused_per_connection_pool():
    # Building a client is expensive in redis-py; no connection is opened here.
    # (What the production settings build from REDIS_URL: tests/site/test_settings.py.)
    backend = RedisCache("redis://127.0.0.1:6379/0", {})
    first = backend._cache.get_client()
    assert backend._cache.get_client() is first
    assert backend._cache.get_client(write=True) is first
