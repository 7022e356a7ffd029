"""The shape GET /notifications returns."""

from datetime import datetime

from pydantic import BaseModel, Field


class NotificationPublic(BaseModel):
    id: int
    task_id: int | None = Field(description="null once the task is deleted for good")
    title: str = Field(description="The task's title when the reminder fell due")
    remind_at: datetime = Field(description="When the reminder was due")
    sent_at: datetime | None = Field(
        description="When it was recorded; null: missed (it fell due more than a day before any "
        "process could send it)"
    )
    late: bool = Field(description="Sent well after remind_at (or missed): the service was not running")
    read: bool
