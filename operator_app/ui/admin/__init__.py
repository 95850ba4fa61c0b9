"""The administration dialog (admins only) and its pages; `PAGES` lists the tabs in order."""

from __future__ import annotations

from operator_app.ui.admin.agents_page import AgentsPage
from operator_app.ui.admin.audit_page import AuditPage
from operator_app.ui.admin.email_page import EmailPage
from operator_app.ui.admin.files_page import FilesPage
from operator_app.ui.admin.greetings_page import GreetingRulesPage
from operator_app.ui.admin.groups_page import GroupsPage
from operator_app.ui.admin.hours_page import BusinessHoursPage
from operator_app.ui.admin.page import AdminPage
from operator_app.ui.admin.replies_page import RepliesPage
from operator_app.ui.admin.routing_page import RoutingPage
from operator_app.ui.admin.sites_page import SitesPage
from operator_app.ui.admin.tags_page import TagsPage

PAGES: list[type[AdminPage]] = [
    AgentsPage,
    GroupsPage,
    SitesPage,
    RepliesPage,
    TagsPage,
    GreetingRulesPage,
    BusinessHoursPage,
    RoutingPage,
    EmailPage,
    FilesPage,
    AuditPage,
]

__all__ = ["PAGES", "AdminPage"]
