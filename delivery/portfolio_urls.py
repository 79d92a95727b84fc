from django.urls import path

from . import views

app_name = "portfolio"

# At the site's root (pipeline/urls.py): a council's portfolio beside its page, and the national
# one for organisers.
urlpatterns = [
    path("councils/<slug:slug>/portfolio/", views.council_portfolio, name="council"),
    path("councils/<slug:slug>/portfolio.csv", views.council_portfolio_csv, name="council_csv"),
    path("portfolio/", views.national_portfolio, name="national"),
    path("portfolio.csv", views.national_portfolio_csv, name="national_csv"),
]
