"""How the editorial team's members are named to each other (in the admin, in mail, in
the workflow's messages). Patients see contributors' profiles instead (ContributorProfile)."""


def person_name(user, nobody="someone since removed"):
    """A user's full name, or their username if they gave none; `nobody` for no user."""
    if user is None:
        return nobody
    return user.get_full_name() or user.get_username()
