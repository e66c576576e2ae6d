// A node in its own process (so a test can kill -9 it): the compiled services
// named in CHILD_SERVICES, joined to the test's cluster through the environment.
const path = require("node:path");
const root = path.join(__dirname, "..", "..", "dist");
const { ServiceBroker } = require("moleculer");
const { brokerOptions } = require(path.join(root, "moleculer.config.js"));

const broker = new ServiceBroker({ ...brokerOptions(), nodeID: process.env.CHILD_NODE_ID });
for (const name of process.env.CHILD_SERVICES.split(",")) {
  broker.createService(require(path.join(root, "services", `${name}.service.js`)).default);
}
broker.start().then(() => process.send?.("started"));
