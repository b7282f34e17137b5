"""Cron schedules of the imports app (registered by ``manage.py setup_schedules``)."""

from __future__ import annotations

from backoffice.core.schedules import ScheduleSpec

SCHEDULES = [
    ScheduleSpec(
        name="imports.purge_uploads",
        func="imports.tasks.purge_old_uploads",
        cron="40 3 * * *",
        label="删除超过保留期限的导入上传文件（保留任务记录）",
    ),
    ScheduleSpec(
        name="imports.resume_stalled",
        func="imports.tasks.resume_stalled_commits",
        cron="*/5 * * * *",
        label="继续被中断的导入写入（后台任务进程退出后）",
    ),
    ScheduleSpec(
        name="imports.api.purge_nonces",
        func="imports.api.nonces.purge_nonces",
        cron="*/15 * * * *",
        label="删除过期的接口签名随机串（超过签名时间窗口两倍）",
    ),
]
