"""Two admins demoting each other at the same moment must not leave the account adminless."""

import threading

import pytest
from django.db import connection

from accounts import services
from accounts.errors import ServiceError
from accounts.models import Role, User
from tests.factories import AccountFactory, UserFactory


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_admins_demoting_each_other_at_once_leave_one_admin(attempt):
    account = AccountFactory()
    ada = UserFactory(account=account, role=Role.ADMIN)
    bob = UserFactory(account=account, role=Role.ADMIN)
    barrier = threading.Barrier(2)
    outcomes = []

    def demote(actor_id, target_id):
        try:
            actor, target = User.objects.get(pk=actor_id), User.objects.get(pk=target_id)
            barrier.wait(timeout=5)
            services.user_update(user=target, actor=actor, role=Role.ENGINEER)
            outcomes.append("ok")
        except ServiceError as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # recorded so the assertion shows it
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=demote, args=(ada.pk, bob.pk)),
               threading.Thread(target=demote, args=(bob.pk, ada.pk))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert User.objects.filter(account=account, role=Role.ADMIN, is_active=True).count() == 1
    assert sorted(outcomes) in (["last_admin", "ok"], ["ok", "permission_denied"])
