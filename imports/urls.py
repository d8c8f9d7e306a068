from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [path("teams/<int:team_id>/import/", views.import_page, name="import")]
