"""Contains all the data models used in inputs/outputs"""

from .account_out import AccountOut
from .account_patch import AccountPatch
from .api_key_create import ApiKeyCreate
from .api_key_created import ApiKeyCreated
from .api_key_out import ApiKeyOut
from .bulk_create import BulkCreate
from .bulk_outcome import BulkOutcome
from .bulk_result import BulkResult
from .bulk_result_vendor_errors_type_0 import BulkResultVendorErrorsType0
from .bulk_update import BulkUpdate
from .bulk_updates import BulkUpdates
from .bulk_updates_priority_type_0 import BulkUpdatesPriorityType0
from .bulk_updates_status_type_0 import BulkUpdatesStatusType0
from .capabilities_out import CapabilitiesOut
from .capabilities_out_operations import CapabilitiesOutOperations
from .capabilities_out_vendors import CapabilitiesOutVendors
from .capabilities_out_vendors_additional_property import (
    CapabilitiesOutVendorsAdditionalProperty,
)
from .connection_create import ConnectionCreate
from .connection_create_credentials import ConnectionCreateCredentials
from .connection_create_options_type_0 import ConnectionCreateOptionsType0
from .connection_out import ConnectionOut
from .connection_out_options import ConnectionOutOptions
from .connection_out_state import ConnectionOutState
from .connection_patch import ConnectionPatch
from .connection_patch_credentials_type_0 import ConnectionPatchCredentialsType0
from .connection_patch_options_type_0 import ConnectionPatchOptionsType0
from .connection_patch_state_type_0 import ConnectionPatchStateType0
from .connection_test_out import ConnectionTestOut
from .error import Error
from .health import Health
from .http_validation_error import HTTPValidationError
from .issue_type_out import IssueTypeOut
from .issue_types_page import IssueTypesPage
from .job_accepted import JobAccepted
from .job_out import JobOut
from .job_out_failure_reason_type_0 import JobOutFailureReasonType0
from .job_out_result_type_0 import JobOutResultType0
from .job_out_status import JobOutStatus
from .job_out_type import JobOutType
from .list_envelope_issue_type_out import ListEnvelopeIssueTypeOut
from .list_envelope_project_out import ListEnvelopeProjectOut
from .list_envelope_ticket_out import ListEnvelopeTicketOut
from .list_envelope_user_out import ListEnvelopeUserOut
from .list_tickets_priority_type_0 import ListTicketsPriorityType0
from .list_tickets_status_type_0 import ListTicketsStatusType0
from .list_users_status_type_0 import ListUsersStatusType0
from .organization_create import OrganizationCreate
from .organization_out import OrganizationOut
from .passthrough_issue_type import PassthroughIssueType
from .passthrough_project import PassthroughProject
from .passthrough_user import PassthroughUser
from .progress import Progress
from .project_issue_type import ProjectIssueType
from .project_out import ProjectOut
from .project_out_vendor_attributes import ProjectOutVendorAttributes
from .projects_page import ProjectsPage
from .search_page import SearchPage
from .search_page_items_item import SearchPageItemsItem
from .sync_request import SyncRequest
from .ticket_create import TicketCreate
from .ticket_create_custom_fields_type_0 import TicketCreateCustomFieldsType0
from .ticket_create_priority_type_0 import TicketCreatePriorityType0
from .ticket_create_status_type_0 import TicketCreateStatusType0
from .ticket_out import TicketOut
from .ticket_out_priority import TicketOutPriority
from .ticket_out_status import TicketOutStatus
from .ticket_out_vendor_attributes import TicketOutVendorAttributes
from .ticket_update import TicketUpdate
from .ticket_update_custom_fields_type_0 import TicketUpdateCustomFieldsType0
from .ticket_update_priority_type_0 import TicketUpdatePriorityType0
from .ticket_update_status_type_0 import TicketUpdateStatusType0
from .user_out import UserOut
from .user_out_status import UserOutStatus
from .user_out_vendor_attributes import UserOutVendorAttributes
from .users_page import UsersPage
from .validation_error import ValidationError
from .validation_error_context import ValidationErrorContext

__all__ = (
    "AccountOut",
    "AccountPatch",
    "ApiKeyCreate",
    "ApiKeyCreated",
    "ApiKeyOut",
    "BulkCreate",
    "BulkOutcome",
    "BulkResult",
    "BulkResultVendorErrorsType0",
    "BulkUpdate",
    "BulkUpdates",
    "BulkUpdatesPriorityType0",
    "BulkUpdatesStatusType0",
    "CapabilitiesOut",
    "CapabilitiesOutOperations",
    "CapabilitiesOutVendors",
    "CapabilitiesOutVendorsAdditionalProperty",
    "ConnectionCreate",
    "ConnectionCreateCredentials",
    "ConnectionCreateOptionsType0",
    "ConnectionOut",
    "ConnectionOutOptions",
    "ConnectionOutState",
    "ConnectionPatch",
    "ConnectionPatchCredentialsType0",
    "ConnectionPatchOptionsType0",
    "ConnectionPatchStateType0",
    "ConnectionTestOut",
    "Error",
    "HTTPValidationError",
    "Health",
    "IssueTypeOut",
    "IssueTypesPage",
    "JobAccepted",
    "JobOut",
    "JobOutFailureReasonType0",
    "JobOutResultType0",
    "JobOutStatus",
    "JobOutType",
    "ListEnvelopeIssueTypeOut",
    "ListEnvelopeProjectOut",
    "ListEnvelopeTicketOut",
    "ListEnvelopeUserOut",
    "ListTicketsPriorityType0",
    "ListTicketsStatusType0",
    "ListUsersStatusType0",
    "OrganizationCreate",
    "OrganizationOut",
    "PassthroughIssueType",
    "PassthroughProject",
    "PassthroughUser",
    "Progress",
    "ProjectIssueType",
    "ProjectOut",
    "ProjectOutVendorAttributes",
    "ProjectsPage",
    "SearchPage",
    "SearchPageItemsItem",
    "SyncRequest",
    "TicketCreate",
    "TicketCreateCustomFieldsType0",
    "TicketCreatePriorityType0",
    "TicketCreateStatusType0",
    "TicketOut",
    "TicketOutPriority",
    "TicketOutStatus",
    "TicketOutVendorAttributes",
    "TicketUpdate",
    "TicketUpdateCustomFieldsType0",
    "TicketUpdatePriorityType0",
    "TicketUpdateStatusType0",
    "UserOut",
    "UserOutStatus",
    "UserOutVendorAttributes",
    "UsersPage",
    "ValidationError",
    "ValidationErrorContext",
)
