"""intersystems_pyprod: write InterSystems IRIS Interoperability productions in Python."""

from .api.debug import debug_host
from .api.fields import Column, IRISParameter, IRISProperty
from .api.hosts import BusinessOperation, BusinessProcess, BusinessService, InboundAdapter, OutboundAdapter
from .api.log import IRISLog
from .api.messages import JsonSerialize, PickleSerialize, ProductionMessage
from .api.models import install as _install_models
from .api.production import OperationItem, ProcessItem, Production, ServiceItem
from .api.status import Status
from .api.syspath import _add_to_sys_path

_install_models()  # pydantic messages: adopt the script's pydantic once the message classes exist

__version__ = "0.3.0"

__all__ = [
    "BusinessOperation",
    "BusinessProcess",
    "BusinessService",
    "Column",
    "IRISLog",
    "IRISParameter",
    "IRISProperty",
    "InboundAdapter",
    "JsonSerialize",
    "OperationItem",
    "OutboundAdapter",
    "PickleSerialize",
    "ProcessItem",
    "Production",
    "ProductionMessage",
    "ServiceItem",
    "Status",
    "__version__",
    "_add_to_sys_path",
    "debug_host",
]
