import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import Account, Invitation, Role, User
from accounts.tokens import digest

PASSWORD = "correct-horse-battery-staple"


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Northwind IT {n}")
    slug = factory.Sequence(lambda n: f"northwind-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"tech{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Tech {n}")
    account = factory.SubFactory(AccountFactory)
    role = Role.ENGINEER
    # Hashed before the first save, as create_user does: a second save that writes a password
    # is a password change, which ends the person's logins and closes their sockets.
    password = factory.Transformer(PASSWORD, transform=make_password)


class AccountOwnedFactory(factory.django.DjangoModelFactory):
    """Creates through the explicit ``unscoped`` manager: ``objects`` refuses unscoped use."""

    class Meta:
        abstract = True

    @classmethod
    def _get_manager(cls, model_class):
        return model_class.unscoped


class InvitationFactory(AccountOwnedFactory):
    class Meta:
        model = Invitation
        exclude = ["token"]

    account = factory.SubFactory(AccountFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Role.ENGINEER
    token = factory.Sequence(lambda n: f"invitation-token-{n}")
    token_hash = factory.LazyAttribute(lambda o: digest(o.token))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=7))
