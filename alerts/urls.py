"""Alerts: the page to manage them, the unsubscribe link of every message, and the Atom feeds."""

from django.urls import path

from . import feeds, views

app_name = "alerts"

urlpatterns = [
    path("", views.manage, name="manage"),
    path("subscriptions/", views.subscribe, name="subscribe"),
    path("subscriptions/<int:crossing_id>/delete/", views.unfollow, name="unfollow"),
    path("feed-keys/", views.token_create, name="token_create"),
    path("feed-keys/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("feed-keys/<int:pk>/rotate/", views.token_rotate, name="token_rotate"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("feeds/<str:key>/all.atom", feeds.StatusChangesFeed(), name="feed_all"),
    path("feeds/<str:key>/crossings/<slug:slug>.atom", feeds.CrossingFeed(), name="feed_crossing"),
    path("feeds/<str:key>/crises/<slug:slug>.atom", feeds.CrisisFeed(), name="feed_crisis"),
]
