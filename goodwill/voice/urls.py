from django.urls import path

from goodwill.voice import improvement_views, views

app_name = "voice"

urlpatterns = [
    path("feedback/<str:token>/", views.answer, name="answer"),
    path("feedback/<str:token>/unsubscribe/", views.unsubscribe, name="unsubscribe"),
    path("voice/grid/", views.grid_page, name="grid"),
    path("c/<int:number>/feedback/followed-up/", views.followed_up, name="followed_up"),
    path("c/<int:number>/complaint/", improvement_views.mark, name="complaint"),
    path("c/<int:number>/complaint/thanks/", improvement_views.acknowledge, name="complaint_thanks"),
    path("c/<int:number>/complaint/improvement/", improvement_views.link, name="complaint_link"),
    path("c/<int:number>/extra-mile/", improvement_views.extra_mile, name="extra_mile"),
    path("voice/improvements/", improvement_views.improvement_list, name="improvements"),
    path("voice/improvements/<int:pk>/", improvement_views.improvement_detail, name="improvement"),
]
