from . import public
from . import portal
