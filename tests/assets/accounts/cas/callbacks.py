"""The attributes the test CAS server releases with a ticket (MAMA_CAS_SERVICES' CALLBACKS)."""


def directory(user, service):
    return {
        "department": user.last_name,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "name": user.first_name,
        "email": user.email,
    }
