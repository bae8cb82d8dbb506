from django.core.paginator import Paginator

PAGE_SIZE = 25


def paginate(request, queryset, per_page: int = PAGE_SIZE):
    """The page asked for in ``?halaman=``; out-of-range or malformed numbers fall back to a valid page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("halaman"))
