"""Who may call an API view, by role. Which team's objects they may touch is the services' and
selectors' business (team scoping), not these classes'."""

from rest_framework.permissions import SAFE_METHODS, BasePermission


class _RolePermission(BasePermission):
    """Signed in and holding `role` (an attribute of the user: is_admin, is_manager); with
    `anyone_reads`, any signed-in user may also read."""

    role = ""
    anyone_reads = False

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if self.anyone_reads and request.method in SAFE_METHODS:
            return True
        return bool(getattr(user, self.role))


class IsAdmin(_RolePermission):
    message = "Only an admin can do this."
    role = "is_admin"


class IsAdminOrReadOnly(_RolePermission):
    message = "Only an admin can change this."
    role = "is_admin"
    anyone_reads = True


class IsManagerOrReadOnly(_RolePermission):
    """Managers (and admins) write; frontline read."""

    message = "Only a manager can change this."
    role = "is_manager"
    anyone_reads = True


class IsManager(_RolePermission):
    message = "Only a manager or an admin can see this."
    role = "is_manager"
