from django.urls import path

from .views import WeeklyReportView

urlpatterns = [path("reports/weekly/", WeeklyReportView.as_view(), name="api-weekly-report")]
