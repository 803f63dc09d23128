"""Load the CAS server's directory: `python -m tests.assets.accounts.cas.seed` with its settings;
`... seed move <username> <department>` moves a person."""

import sys

import django

PEOPLE = [
    ("zhao", "赵敏", "BDC", ["zcgl"]),
    ("qian", "钱进", "BDC", ["zcgl"]),
    ("sun", "孙丽", "NOPE", ["zcgl"]),
    ("zhou", "周游", "BDC", ["visitors"]),
]


def main() -> None:
    django.setup()
    from django.contrib.auth.models import Group, User

    for username, name, department, groups in PEOPLE:
        user = User.objects.create_user(
            username,
            email=f"{username}@example.gov.cn",
            password="idp-pass-123",
            first_name=name,
            last_name=department,
        )
        user.groups.set(Group.objects.get_or_create(name=group)[0] for group in groups)


def move(username: str, department: str) -> None:
    django.setup()
    from django.contrib.auth.models import User

    User.objects.filter(username=username).update(last_name=department)


if __name__ == "__main__":
    if sys.argv[1:2] == ["move"]:
        move(*sys.argv[2:4])
    else:
        main()
