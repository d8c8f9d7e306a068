import pytest

from tests.harness import OwnPostgres, OwnRedis


@pytest.fixture
def own_postgres():
    pg = OwnPostgres().start()
    yield pg
    pg.close()


@pytest.fixture
def own_redis():
    redis = OwnRedis().start()
    yield redis
    redis.close()
