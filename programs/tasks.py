from celery import shared_task

from programs.models import Program, Region


@shared_task
def count_regions(level: int | None = None) -> int:
    """Count regions from a worker: a round trip through the broker and the database."""
    regions = Region.objects.all()
    if level is not None:
        regions = regions.filter(level=level)
    return regions.count()


# Bills of a month for every program take minutes at most (1M enrolments: well under a minute per program).
BILL_LIMITS = {"acks_late": True, "time_limit": 60 * 60, "soft_time_limit": 55 * 60}


@shared_task(**BILL_LIMITS)
def bills_generate_current_month() -> int:
    """Bill this month for every running program (beat, daily): corrections for late enrolments, then arrears.

    Idempotent: programs already billed with nothing new write nothing. Also refreshes every program's arrears,
    because a due date passing makes months overdue without any write.
    """
    from django.utils import timezone

    from programs.billing import arrears_refresh, bills_generate_month, month_start, programs_running_in

    month = month_start(timezone.localdate())
    results = bills_generate_month(month=month)
    for program in programs_running_in(month):
        arrears_refresh(program=program)
    return sum(r.created for r in results)


@shared_task(**BILL_LIMITS)
def arrears_refresh_program(program_id: int) -> int:
    """Recompute the arrears of one program's enrolments after its payments changed."""
    from programs.billing import arrears_refresh

    program = Program.objects.filter(pk=program_id).first()
    return arrears_refresh(program=program) if program else 0


@shared_task(**BILL_LIMITS)
def bill_generate_program(program_id: int, month_iso: str, user_id: int | None = None) -> int:
    """Bill one program for one month on request (the program page's button); returns the lines written."""
    import datetime

    from django.contrib.auth import get_user_model

    from programs.billing import bill_generate_then_arrears

    program = Program.objects.filter(pk=program_id).first()
    if program is None:
        return 0
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return bill_generate_then_arrears(program=program, month=datetime.date.fromisoformat(month_iso), user=user).lines
