import pytest

from accounts.models import Invitation
from accounts.tenancy import UnscopedQueryError
from tests.factories import InvitationFactory


def test_an_account_owned_model_cannot_be_queried_without_naming_the_account(db):
    with pytest.raises(UnscopedQueryError, match="for_account"):
        Invitation.objects.all()
    with pytest.raises(UnscopedQueryError):
        Invitation.objects.filter(email="x@example.com")
    with pytest.raises(UnscopedQueryError):
        Invitation.objects.for_account(None)


def test_for_account_returns_only_that_accounts_rows(northwind, outsider):
    ours = InvitationFactory(account=northwind)
    InvitationFactory(account=outsider)
    assert list(Invitation.objects.for_account(northwind)) == [ours]
    assert Invitation.unscoped.count() == 2
