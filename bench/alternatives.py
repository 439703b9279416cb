"""What a user would build instead of forum-crm, over the same database, for bench/compare.py:

- Flask-Admin ModelViews over the people and organisations tables (list, search on name and e-mail, pages of 25);
- a naive folium map with one marker per person who consented to the map (what the design notes warn against).

    DATABASE_URL=sqlite:////tmp/bench.sqlite gunicorn --workers 2 bench.alternatives:app
"""

import html
import os

import folium
import sqlalchemy as sa
from flask import Flask
from flask_admin import Admin
from flask_admin.contrib.sqla import ModelView
from flask_babel import Babel

from forum_crm.config import with_psycopg_driver
from forum_crm.extensions import db
from forum_crm.models import Locality, Organisation, Person


class PersonView(ModelView):
    column_list = ["last_name", "first_name", "email", "locality"]
    column_searchable_list = ["last_name", "first_name", "email"]
    column_default_sort = [("last_name", False), ("id", False)]
    page_size = 25
    can_create = can_edit = can_delete = False


class OrganisationView(ModelView):
    column_list = ["name", "short_name", "sector", "locality"]
    column_searchable_list = ["name", "short_name"]
    column_default_sort = [("name", False), ("id", False)]
    page_size = 25
    can_create = can_edit = can_delete = False


def naive_map() -> str:
    """One folium marker per person on the map, their name in the popup."""
    people = db.session.execute(
        sa.select(Person.first_name, Person.last_name, Locality.latitude, Locality.longitude)
        .join(Locality, Person.locality_id == Locality.id)
        .where(Person.is_on_map, Locality.latitude.is_not(None)))
    members = folium.Map(location=[52.0, 19.4], zoom_start=6, tiles=None)
    for first_name, last_name, latitude, longitude in people:
        folium.Marker([latitude, longitude], popup=html.escape(f"{first_name} {last_name}")).add_to(members)
    return members.get_root().render()


def create_alternatives_app() -> Flask:
    app = Flask(__name__)
    app.config.update(SQLALCHEMY_DATABASE_URI=with_psycopg_driver(os.environ["DATABASE_URL"]),
                      SECRET_KEY="bench only", FLASK_ADMIN_SWATCH="cerulean")
    db.init_app(app)
    Babel(app)  # Flask-Admin translates its texts with Flask-Babel when it is installed
    admin = Admin(app, name="bench")
    admin.add_view(PersonView(Person, db.session, endpoint="person"))
    admin.add_view(OrganisationView(Organisation, db.session, endpoint="organisation"))
    app.add_url_rule("/naive-map", "naive_map", naive_map)
    return app


app = create_alternatives_app() if "DATABASE_URL" in os.environ else None
