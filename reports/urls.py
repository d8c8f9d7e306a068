from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("reports/weekly/", views.weekly, name="weekly"),
    path("reports/weekly/chart.png", views.weekly_chart, name="weekly-chart"),
    path("reports/weekly.csv", views.weekly_csv, name="weekly-csv"),
]
