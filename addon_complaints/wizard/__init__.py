from . import complaint_wizard_mixin
from . import complaint_dispatch_wizard
from . import complaint_not_accept_wizard
from . import complaint_reason_wizard
from . import complaint_close_wizard
from . import complaint_callback_wizard
from . import complaint_delay_notice_wizard
