"""The benchmark's yardstick: the API's first page of projects, with no framework in the way.

One raw SQL query, rows to dicts, ``json.dumps``: what the cheapest possible Django view serving
the same 50 rows as ``GET /api/v1/projects/`` costs on the same server in the same run. Every
other endpoint is reported as a ratio of this one's requests per second.
"""

import json

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from projects.models import PUBLIC_STATES

PAGE_SIZE = 50

# The same rows, order and fields as the API's first page: visible projects, newest first.
SQL = """
SELECT p.slug, p.title, p.summary, p.phase, p.state,
       c.code, c.gss_code, c.short_name, c.name_cy,
       COALESCE((SELECT array_agg(a.slug ORDER BY a.name)
                 FROM projects_project_service_areas pa
                 JOIN projects_servicearea a ON a.id = pa.servicearea_id
                 WHERE pa.project_id = p.id), '{}') AS areas,
       p.pledging_deadline,
       p.money_needed, p.money_offered, p.money_accepted, p.money_fulfilled,
       p.half_days_needed, p.half_days_offered, p.half_days_accepted, p.half_days_fulfilled,
       p.partner_count, p.partner_target,
       p.code_url, p.prototype_url, p.licence, p.created_at, p.published_at
FROM projects_project p
JOIN councils_council c ON c.id = p.lead_council_id
WHERE p.state = ANY(%s) AND NOT p.is_hidden
ORDER BY p.published_at DESC, p.id DESC
LIMIT %s
"""


def _money(pence: int) -> dict:
    return {"amount_pence": int(pence), "currency": "GBP"}


def _days(half_days: int) -> str:
    whole, half = divmod(int(half_days), 2)
    return f"{whole}.5" if half else str(whole)


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


# Never from the page cache: the yardstick is the query and the JSON, every time.
@never_cache
@require_GET
def baseline(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(SQL, [list(PUBLIC_STATES), PAGE_SIZE])
        rows = cursor.fetchall()
    base = f"{request.scheme}://{request.get_host()}"
    results = []
    for (
        slug, title, summary, phase, state,
        code, gss_code, short_name, name_cy,
        areas, deadline,
        m_needed, m_offered, m_accepted, m_fulfilled,
        d_needed, d_offered, d_accepted, d_fulfilled,
        partner_count, partner_target,
        code_url, prototype_url, licence, created_at, published_at,
    ) in rows:  # fmt: skip
        results.append(
            {
                "slug": slug,
                "title": title,
                "summary": summary,
                "phase": phase,
                "state": state,
                "lead_council": {
                    "code": code,
                    "gss_code": gss_code or None,
                    "name": short_name,
                    "name_cy": name_cy or None,
                },
                "service_areas": list(areas),
                "pledging_deadline": deadline.isoformat() if deadline else None,
                "totals": {
                    "money_needed": _money(m_needed),
                    "money_offered": _money(m_offered),
                    "money_accepted": _money(m_accepted),
                    "money_fulfilled": _money(m_fulfilled),
                    "days_needed": _days(d_needed),
                    "days_offered": _days(d_offered),
                    "days_accepted": _days(d_accepted),
                    "days_fulfilled": _days(d_fulfilled),
                    "partner_count": partner_count,
                    "partner_target": partner_target,
                },
                "code_url": code_url,
                "prototype_url": prototype_url,
                "licence": licence,
                "created_at": _iso(created_at),
                "published_at": _iso(published_at),
                "url": f"{base}/projects/{slug}/",
                "api_url": f"{base}/api/v1/projects/{slug}/",
            }
        )
    body = json.dumps({"next": None, "previous": None, "results": results})
    return HttpResponse(body, content_type="application/json")
