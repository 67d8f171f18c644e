from . import test_portal_submit
from . import test_portal_track
from . import test_portal_case_page
from . import test_portal_flow
from . import test_portal_tour
from . import test_i18n
