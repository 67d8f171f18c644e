from . import complaint_case
from . import complaint_portal_attempt
from . import complaint_portal_code
