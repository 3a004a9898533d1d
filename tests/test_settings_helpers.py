import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.backends.sqlite3.base import DatabaseWrapper

from resolutionflow.env import database_from_url, env_bool, env_int, env_list


def test_a_relative_sqlite_url_lives_in_the_project(tmp_path):
    config = database_from_url("sqlite:///db.sqlite3", base_dir=tmp_path)
    assert config["NAME"] == str(tmp_path / "db.sqlite3")


def test_an_absolute_sqlite_url_is_kept(tmp_path):
    assert database_from_url("sqlite:////var/lib/rf.db", base_dir=tmp_path)["NAME"] == "/var/lib/rf.db"


def test_a_postgres_url_becomes_connection_settings(tmp_path):
    config = database_from_url("postgres://rf:s%40cret@db.internal:5433/rf?sslmode=require", base_dir=tmp_path)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"], config["NAME"]) == (
        "rf", "s@cret", "db.internal", "5433", "rf")
    assert config["OPTIONS"] == {"sslmode": "require"}


def test_an_unknown_database_scheme_is_refused(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="mysql"):
        database_from_url("mysql://x/y", base_dir=tmp_path)


def test_sqlite_opens_in_wal_mode_with_immediate_transactions(tmp_path, django_db_blocker):
    config = database_from_url(f"sqlite:///{tmp_path}/wal.sqlite3", base_dir=tmp_path)
    config.update({"ATOMIC_REQUESTS": False, "AUTOCOMMIT": True, "CONN_MAX_AGE": 0,
                   "CONN_HEALTH_CHECKS": False, "TIME_ZONE": None})
    wrapper = DatabaseWrapper(config, alias="wal-check")
    # A separate file database, outside the test database pytest-django manages.
    with django_db_blocker.unblock():
        try:
            with wrapper.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                assert cursor.fetchone()[0] == "wal"
            assert wrapper.transaction_mode == "IMMEDIATE"
        finally:
            wrapper.close()


def test_env_helpers_read_and_refuse_garbage(monkeypatch):
    monkeypatch.setenv("RF_FLAG", "yes")
    monkeypatch.setenv("RF_NUM", "12")
    monkeypatch.setenv("RF_LIST", "a.example, b.example,")
    assert env_bool("RF_FLAG") is True
    assert env_int("RF_NUM", 1) == 12
    assert env_list("RF_LIST") == ["a.example", "b.example"]
    monkeypatch.setenv("RF_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("RF_FLAG")
    monkeypatch.setenv("RF_NUM", "many")
    with pytest.raises(ImproperlyConfigured):
        env_int("RF_NUM", 1)
