from . import test_compensation_documents
from . import test_compensation_paid_from_ledger
from . import test_compensation_segregation
from . import test_i18n
