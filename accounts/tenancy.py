"""Tenant scoping you cannot forget (docs/architecture.md#tenancy).

Models owned by an account inherit ``AccountOwned``. Their ``objects`` manager only answers
``for_account(account)``; any other use raises ``UnscopedQueryError`` so a forgotten scope
fails loudly in development and tests. Platform code (Django admin, migrations, management
commands that span accounts) uses the explicitly named ``unscoped`` manager, which is easy
to grep for.
"""

from django.db import models


class UnscopedQueryError(RuntimeError):
    """Raised when an account-owned model is queried without naming the account."""


class AccountScopedManager(models.Manager):
    def get_queryset(self):
        raise UnscopedQueryError(
            f"{self.model.__name__}.objects must be scoped: use "
            f".objects.for_account(account), or .unscoped for platform code."
        )

    def none(self):
        # An empty queryset leaks nothing; tools that describe models (the OpenAPI schema) use it.
        return super().get_queryset().none()

    def for_account(self, account):
        if account is None:
            raise UnscopedQueryError(f"{self.model.__name__}.objects.for_account(None)")
        return super().get_queryset().filter(account=account)


class AccountOwned(models.Model):
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")

    unscoped = models.Manager()
    objects = AccountScopedManager()

    class Meta:
        abstract = True
        # Django's own machinery (admin, forms, related lookups) uses the default manager;
        # it must be the plain one, and everything it shows is scoped where it is shown.
        default_manager_name = "unscoped"
        base_manager_name = "unscoped"
