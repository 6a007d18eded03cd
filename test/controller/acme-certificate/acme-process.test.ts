// AcmeCertificate and DnsCredential through the controller process, on the backend SEALBRIDGE_BACKEND
// names (default: the Kubernetes test server), with real BIND 9 and Pebble.
import { backendKind } from "../../harness/realstack/backend.js";
import { acmeProcessScenarios } from "./acme-process-scenarios.js";

acmeProcessScenarios(backendKind());
