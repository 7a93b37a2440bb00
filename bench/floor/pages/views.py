from django.http import Http404, HttpResponse

from pages.models import StoredPage


def stored_page(request):
    """The page stored for this path: one query."""
    html = StoredPage.objects.filter(path=request.path).values_list("html", flat=True).first()
    if html is None:
        raise Http404
    return HttpResponse(html)
