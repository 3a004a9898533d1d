"""A socket lives only as long as its credentials (issue: a deactivated engineer's queue socket
kept receiving escalations). Deactivation and a revoked token close with 4401, a role change
with 4403, logging out closes the sockets that login opened; each within a second."""

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client

from accounts import services as account_services
from accounts.models import ApiToken, Role, User
from tests.realtime.test_handoff_sockets import ORIGIN, cookie_header, open_socket, refused, team

pytestmark = pytest.mark.django_db(transaction=True)
WITHIN = 1  # second


async def open_queue(*headers):
    communicator, connected, code = await open_socket("/ws/v1/queue/", ORIGIN, *headers)
    assert connected, code
    assert (await communicator.receive_json_from(timeout=5))["event"] == "hello"
    return communicator


async def closed_with(communicator) -> int:
    message = await communicator.receive_output(timeout=WITHIN)
    assert message["type"] == "websocket.close", message
    return message["code"]


@database_sync_to_async
def new_token(user):
    issued = account_services.api_token_create(user=user, name="dispatch board")
    return issued.token, (b"authorization", f"Token {issued.key}".encode())


update = database_sync_to_async(lambda user, actor, **changes: account_services.user_update(
    user=User.objects.get(pk=user.pk), actor=actor, **changes))


async def test_deactivation_closes_the_persons_sockets_with_4401():
    cast = await team()
    _token, header = await new_token(cast["senior"])
    by_token = await open_queue(header)
    by_cookie = await open_queue(await cookie_header(cast["senior"]))
    bystander = await open_queue((await new_token(cast["junior"]))[1])

    await update(cast["senior"], cast["admin"], is_active=False)

    assert await closed_with(by_token) == 4401
    assert await closed_with(by_cookie) == 4401
    assert await bystander.receive_nothing(timeout=0.2)
    await bystander.disconnect()


async def test_a_role_change_closes_with_4403_so_the_client_reconnects_with_its_new_role():
    cast = await team()
    socket = await open_queue((await new_token(cast["senior"]))[1])
    await update(cast["senior"], cast["admin"], role=Role.VIEWER)
    assert await closed_with(socket) == 4403


async def test_a_revoked_token_closes_only_the_sockets_opened_with_it():
    cast = await team()
    token, header = await new_token(cast["senior"])
    revoked = await open_queue(header)
    other = await open_queue((await new_token(cast["senior"]))[1])

    await database_sync_to_async(lambda: account_services.api_token_revoke(token=ApiToken.objects.get(pk=token.pk)))()

    assert await closed_with(revoked) == 4401
    assert await other.receive_nothing(timeout=0.2)
    await other.disconnect()


async def test_logging_out_closes_the_sockets_of_that_login():
    cast = await team()
    client = Client()
    await database_sync_to_async(client.force_login)(cast["senior"])
    cookie = (b"cookie", f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
              .encode())
    this_login = await open_queue(cookie)
    another_login = await open_queue(await cookie_header(cast["senior"]))

    response = await database_sync_to_async(client.post)("/logout/")
    assert response.status_code == 302

    assert await closed_with(this_login) == 4401
    assert await another_login.receive_nothing(timeout=0.2)
    await another_login.disconnect()


@pytest.mark.django_db
def test_deactivation_ends_cookie_sessions_for_good(client, engineer, admin_user):
    client.force_login(engineer)
    assert client.get("/").status_code == 200

    account_services.user_update(user=engineer, actor=admin_user, is_active=False)
    account_services.user_update(user=User.objects.get(pk=engineer.pk), actor=admin_user, is_active=True)

    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def signed_in_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/")  # the page sets the CSRF cookie
    return client


def cookie_ticket(client: Client) -> str:
    """A ticket asked for with ``client``'s cookie login, through the API as a page would."""
    response = client.post("/api/v1/realtime/ticket/", "{}", content_type="application/json",
                           HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    assert response.status_code == 201, response.content
    return response.json()["ticket"]


async def test_logging_out_closes_the_sockets_opened_with_tickets_that_login_asked_for():
    # A ticket socket carries no cookie: before, it was bound to its user only and outlived
    # the logout of the login that asked for it.
    cast = await team()
    this_login = await database_sync_to_async(signed_in_client)(cast["senior"])
    other_login = await database_sync_to_async(signed_in_client)(cast["senior"])
    by_ticket = await open_queue_with_ticket(await database_sync_to_async(cookie_ticket)(this_login))
    by_other_ticket = await open_queue_with_ticket(await database_sync_to_async(cookie_ticket)(other_login))

    response = await database_sync_to_async(this_login.post)(
        "/logout/", HTTP_X_CSRFTOKEN=this_login.cookies["csrftoken"].value)
    assert response.status_code == 302

    assert await closed_with(by_ticket) == 4401
    assert await by_other_ticket.receive_nothing(timeout=0.2)
    await by_other_ticket.disconnect()


async def test_a_ticket_not_yet_used_stops_working_when_its_login_logs_out():
    cast = await team()
    this_login = await database_sync_to_async(signed_in_client)(cast["senior"])
    other_login = await database_sync_to_async(signed_in_client)(cast["senior"])
    unused = await database_sync_to_async(cookie_ticket)(this_login)
    unused_elsewhere = await database_sync_to_async(cookie_ticket)(other_login)

    await database_sync_to_async(this_login.post)("/logout/", HTTP_X_CSRFTOKEN=this_login.cookies["csrftoken"].value)

    assert await refused(f"/ws/v1/queue/?ticket={unused}", ORIGIN) == 4401
    socket = await open_queue_with_ticket(unused_elsewhere)
    await socket.disconnect()


async def open_queue_with_ticket(secret: str):
    communicator, connected, code = await open_socket(f"/ws/v1/queue/?ticket={secret}", ORIGIN)
    assert connected, code
    assert (await communicator.receive_json_from(timeout=5))["event"] == "hello"
    return communicator


def superuser_client() -> Client:
    root = User.objects.create_superuser(email="root@resolutionflow.test", password="a-long-enough-pass-42")
    client = Client()
    client.force_login(root)
    return client


async def test_a_password_set_in_admin_closes_every_cookie_login_socket_but_not_token_sockets():
    # A password change ends every cookie login of the person (Django's session hash covers
    # the password): before, their open sockets went on receiving escalations.
    cast = await team()
    by_cookie = await open_queue(await cookie_header(cast["senior"]))
    login = await database_sync_to_async(signed_in_client)(cast["senior"])
    by_cookie_ticket = await open_queue_with_ticket(await database_sync_to_async(cookie_ticket)(login))
    unused = await database_sync_to_async(cookie_ticket)(login)
    _token, header = await new_token(cast["senior"])
    by_token = await open_queue(header)
    colleague = await open_queue(await cookie_header(cast["junior"]))

    staff = await database_sync_to_async(superuser_client)()
    response = await database_sync_to_async(staff.post)(
        f"/admin/accounts/user/{cast['senior'].pk}/password/",
        {"password1": "a-new-long-pass-1984", "password2": "a-new-long-pass-1984", "usable_password": "true"})
    assert response.status_code == 302, response.content

    assert await closed_with(by_cookie) == 4401
    assert await closed_with(by_cookie_ticket) == 4401
    assert await refused(f"/ws/v1/queue/?ticket={unused}", ORIGIN) == 4401
    assert await by_token.receive_nothing(timeout=0.2)
    assert await colleague.receive_nothing(timeout=0.2)
    await by_token.disconnect()
    await colleague.disconnect()


async def test_a_password_set_anywhere_else_closes_the_cookie_sockets_too():
    # changepassword, the shell: every path that saves a new password goes through set_password.
    cast = await team()
    by_cookie = await open_queue(await cookie_header(cast["senior"]))

    def set_password():
        person = User.objects.get(pk=cast["senior"].pk)
        person.set_password("a-new-long-pass-1984")
        person.save(update_fields=["password"])

    await database_sync_to_async(set_password)()
    assert await closed_with(by_cookie) == 4401


async def test_saving_a_person_without_a_new_password_closes_nothing():
    cast = await team()
    by_cookie = await open_queue(await cookie_header(cast["senior"]))
    await database_sync_to_async(lambda: User.objects.get(pk=cast["senior"].pk).save())()
    assert await by_cookie.receive_nothing(timeout=0.2)
    await by_cookie.disconnect()


async def test_only_the_save_that_writes_a_new_password_closes_the_sockets():
    # Before: set_password then a save of other fields closed the sockets (the password was
    # not written), and a new person's creation left the mark for their next, unrelated save.
    cast = await team()
    by_cookie = await open_queue(await cookie_header(cast["senior"]))

    def set_password_then_save_the_name():
        person = User.objects.get(pk=cast["senior"].pk)
        person.set_password("a-new-long-pass-1984")
        person.display_name = "Sam Senior"
        person.save(update_fields=["display_name"])
        return person

    person = await database_sync_to_async(set_password_then_save_the_name)()
    assert await by_cookie.receive_nothing(timeout=0.2)
    await database_sync_to_async(lambda: person.save(update_fields=["password"]))()
    assert await closed_with(by_cookie) == 4401


async def test_creating_a_person_leaves_no_mark_for_their_next_save():
    cast = await team()

    def create_and_sign_in():
        person = User.objects.create_user(email="new.tech@northwind.test", password="a-long-enough-pass-42",
                                          account=cast["senior"].account)
        return person

    person = await database_sync_to_async(create_and_sign_in)()
    socket = await open_queue(await cookie_header(person))
    await database_sync_to_async(lambda: person.save(update_fields=["last_login"]))()
    assert await socket.receive_nothing(timeout=0.2)
    await socket.disconnect()


async def test_signing_in_as_someone_else_in_the_same_browser_ends_the_first_login_live():
    # Django's login() flushes the other person's session without a logout signal (here Django
    # admin's login page, over a technician's login): before, their sockets stayed open.
    cast = await team()
    browser = await database_sync_to_async(signed_in_client)(cast["junior"])
    by_cookie = await open_queue((b"cookie", f"{settings.SESSION_COOKIE_NAME}="
                                             f"{browser.cookies[settings.SESSION_COOKIE_NAME].value}".encode()))
    by_ticket = await open_queue_with_ticket(await database_sync_to_async(cookie_ticket)(browser))
    unused = await database_sync_to_async(cookie_ticket)(browser)

    def staff_signs_in_here():
        User.objects.create_superuser(email="root@resolutionflow.test", password="a-long-enough-pass-42")
        return browser.post("/admin/login/?next=/admin/", {"username": "root@resolutionflow.test",
                                                           "password": "a-long-enough-pass-42",
                                                           "csrfmiddlewaretoken": browser.cookies["csrftoken"].value})

    response = await database_sync_to_async(staff_signs_in_here)()
    assert response.status_code == 302 and response.url == "/admin/", response.content[:300]

    assert await closed_with(by_cookie) == 4401
    assert await closed_with(by_ticket) == 4401
    assert await refused(f"/ws/v1/queue/?ticket={unused}", ORIGIN) == 4401


async def test_a_cookie_ticket_issued_before_a_new_password_is_refused_even_if_issued_in_the_race():
    # The ticket request authenticated with the old login and wrote its row after the password
    # change had deleted the login's tickets: the stored session hash no longer matches.
    cast = await team()

    def issue_with_the_old_login_then_change_the_password():
        stale = User.objects.get(pk=cast["senior"].pk)  # as the ticket request loaded it
        person = User.objects.get(pk=cast["senior"].pk)
        person.set_password("a-new-long-pass-1984")
        person.save()
        return account_services.realtime_ticket_issue(user=stale, session_key="an-old-login").secret

    secret = await database_sync_to_async(issue_with_the_old_login_then_change_the_password)()
    assert await refused(f"/ws/v1/queue/?ticket={secret}", ORIGIN) == 4401
