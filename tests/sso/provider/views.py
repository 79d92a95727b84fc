"""The tests' controls: people at the provider, and its mode. A test server only."""

import json
import os

from django.contrib.auth.models import User
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from . import state


@csrf_exempt
def control(request):
    if request.headers.get("X-Control-Token") != os.environ["PROVIDER_CONTROL_TOKEN"]:
        return HttpResponseForbidden()
    body = json.loads(request.body or b"{}")
    if "mode" in body:
        state.MODE = body["mode"]
    if "user" in body:
        data = body["user"]
        user, _ = User.objects.get_or_create(username=data["username"])
        user.email = data["email"]
        user.first_name = data.get("first_name", "")
        user.last_name = data.get("last_name", "")
        user.set_password(data["password"])
        user.save()
        return JsonResponse({"sub": str(user.pk)})
    if "delete" in body:
        User.objects.filter(username=body["delete"]).delete()
    return HttpResponse("ok")
