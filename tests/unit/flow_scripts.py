"""The two-module script the loader tests load: ``flow.py`` and the ``helpers.py`` it imports."""

V1 = '''
from intersystems_pyprod import *
from helpers import Shared
iris_package_name = "Flow"

class Req(JsonSerialize):
    text: str = Column("")

class Op(BusinessOperation):
    def on_message(self, request):
        return Status.OK()

class Old(BusinessOperation):
    def on_message(self, request):
        return Status.OK()
'''
HELPERS = '''
from intersystems_pyprod import *
iris_package_name = "Flow"

class Shared(JsonSerialize):
    n: int = 0
'''
