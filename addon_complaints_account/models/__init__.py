from . import complaint_remedy_account_rule
from . import complaint_compensation
from . import account_move
from . import account_payment
from . import account_partial_reconcile
