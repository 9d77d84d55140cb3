from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xiaobao.exams.models import VIEW


@permission_required(VIEW, raise_exception=True)
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "exams/list.html", {})
