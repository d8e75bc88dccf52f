"""An inbound adapter for end-to-end tests: takes texts a test puts in ^PyProdE2E("inbox", item)."""

from intersystems_pyprod import InboundAdapter, IRISProperty, Status


class InboxAdapter(InboundAdapter):
    """Hands the oldest text waiting in ^PyProdE2E("inbox", box) to its service, one per poll."""

    box = IRISProperty("default", str, "Inbox name", "Basic")

    def on_task(self):
        import iris  # Embedded Python's module: this adapter runs inside IRIS

        inbox = iris.gref("^PyProdE2E")
        key = inbox.order(["inbox", self.box, ""])
        if key is None or key == "":
            return Status.OK()
        text = inbox.get(["inbox", self.box, key])
        inbox.kill(["inbox", self.box, key])
        return self.business_host_process_input(text)
