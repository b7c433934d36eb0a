from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.job_out_status import JobOutStatus
from ..models.job_out_type import JobOutType

if TYPE_CHECKING:
    from ..models.job_out_failure_reason_type_0 import JobOutFailureReasonType0
    from ..models.job_out_result_type_0 import JobOutResultType0
    from ..models.progress import Progress


T = TypeVar("T", bound="JobOut")


@_attrs_define
class JobOut:
    """
    Attributes:
        connection_id (UUID):
        created_at (datetime.datetime):
        failure_reason (JobOutFailureReasonType0 | None):
        finished_at (datetime.datetime | None):
        id (UUID):
        progress (Progress):
        result (JobOutResultType0 | None):
        started_at (datetime.datetime | None):
        status (JobOutStatus):
        type_ (JobOutType):
    """

    connection_id: UUID
    created_at: datetime.datetime
    failure_reason: JobOutFailureReasonType0 | None
    finished_at: datetime.datetime | None
    id: UUID
    progress: Progress
    result: JobOutResultType0 | None
    started_at: datetime.datetime | None
    status: JobOutStatus
    type_: JobOutType
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.job_out_failure_reason_type_0 import JobOutFailureReasonType0
        from ..models.job_out_result_type_0 import JobOutResultType0

        connection_id = str(self.connection_id)

        created_at = self.created_at.isoformat()

        failure_reason: dict[str, Any] | None
        if isinstance(self.failure_reason, JobOutFailureReasonType0):
            failure_reason = self.failure_reason.to_dict()
        else:
            failure_reason = self.failure_reason

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        id = str(self.id)

        progress = self.progress.to_dict()

        result: dict[str, Any] | None
        if isinstance(self.result, JobOutResultType0):
            result = self.result.to_dict()
        else:
            result = self.result

        started_at: None | str
        if isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        status = self.status.value

        type_ = self.type_.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "connection_id": connection_id,
                "created_at": created_at,
                "failure_reason": failure_reason,
                "finished_at": finished_at,
                "id": id,
                "progress": progress,
                "result": result,
                "started_at": started_at,
                "status": status,
                "type": type_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.job_out_failure_reason_type_0 import JobOutFailureReasonType0
        from ..models.job_out_result_type_0 import JobOutResultType0
        from ..models.progress import Progress

        d = dict(src_dict)
        connection_id = UUID(d.pop("connection_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_failure_reason(data: object) -> JobOutFailureReasonType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                failure_reason_type_0 = JobOutFailureReasonType0.from_dict(data)

                return failure_reason_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(JobOutFailureReasonType0 | None, data)

        failure_reason = _parse_failure_reason(d.pop("failure_reason"))

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        id = UUID(d.pop("id"))

        progress = Progress.from_dict(d.pop("progress"))

        def _parse_result(data: object) -> JobOutResultType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                result_type_0 = JobOutResultType0.from_dict(data)

                return result_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(JobOutResultType0 | None, data)

        result = _parse_result(d.pop("result"))

        def _parse_started_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)

                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        started_at = _parse_started_at(d.pop("started_at"))

        status = JobOutStatus(d.pop("status"))

        type_ = JobOutType(d.pop("type"))

        job_out = cls(
            connection_id=connection_id,
            created_at=created_at,
            failure_reason=failure_reason,
            finished_at=finished_at,
            id=id,
            progress=progress,
            result=result,
            started_at=started_at,
            status=status,
            type_=type_,
        )

        job_out.additional_properties = d
        return job_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
