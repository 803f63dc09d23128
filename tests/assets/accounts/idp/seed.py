"""Load the provider's client (Yika) and directory: `python -m tests.assets.accounts.idp.seed
<redirect_uri> <client_id> <client_secret>` with the provider's settings; `... seed move
<username> <department>` moves a person in the directory; `... seed redirect <uri>` adds a
redirect URI."""

import sys

import django


def main(redirect_uri: str, client_id: str, client_secret: str) -> None:
    django.setup()
    from django.contrib.auth.models import Group, User
    from oauth2_provider.models import Application

    Application.objects.create(
        name="Yika",
        client_id=client_id,
        client_secret=client_secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=redirect_uri,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    zcgl, _created = Group.objects.get_or_create(name="zcgl")
    Group.objects.get_or_create(name="visitors")
    people = [
        ("zhang", "张伟", "BDC", [zcgl]),
        ("wang", "王芳", "BDC", [zcgl]),
        ("li", "李娜", "NOPE", [zcgl]),
        ("guest", "访客", "BDC", []),
        ("tampered", "篡改", "BDC", [zcgl]),
        ("foreign-aud", "别的应用", "BDC", [zcgl]),
        ("expired", "过期", "BDC", [zcgl]),
    ]
    for username, name, department, groups in people:
        user = User.objects.create_user(
            username,
            email=f"{username}@example.gov.cn",
            password="idp-pass-123",
            first_name=name,
            last_name=department,
        )
        user.groups.set(groups)


def move(username: str, department: str) -> None:
    """The directory moves a person to another department."""
    django.setup()
    from django.contrib.auth.models import User

    User.objects.filter(username=username).update(last_name=department)


def redirect(uri: str) -> None:
    """Register one more redirect URI for Yika (a live server's)."""
    django.setup()
    from oauth2_provider.models import Application

    application = Application.objects.get(name="Yika")
    application.redirect_uris = f"{application.redirect_uris} {uri}"
    application.save(update_fields=["redirect_uris"])


if __name__ == "__main__":
    if sys.argv[1] == "move":
        move(*sys.argv[2:4])
    elif sys.argv[1] == "redirect":
        redirect(sys.argv[2])
    else:
        main(*sys.argv[1:4])
