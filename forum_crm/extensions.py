"""Flask extensions, created here and attached to the application in create_app."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from forum_crm.i18n import CataloguedBabel
from forum_crm.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Dates as "18 maja 2023" / "May 18, 2023": the medium format would say "18 maj 2023".
babel = CataloguedBabel(date_formats={**Babel.default_date_formats, "date": "long"})
