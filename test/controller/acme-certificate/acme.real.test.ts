// AcmeCertificate and DnsCredential through the controller process on a real kube-apiserver, under
// exactly the RBAC of the certs and acme features (src/install/rbac.ts), with real BIND 9 and Pebble.
import { acmeProcessScenarios } from "./acme-process-scenarios.js";

acmeProcessScenarios("real");
