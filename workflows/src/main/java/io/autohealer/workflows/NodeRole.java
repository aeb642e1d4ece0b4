package io.autohealer.workflows;

/** Kubernetes role of a node, from the node-role.kubernetes.io/master or control-plane label. */
public enum NodeRole {
  MASTER,
  WORKER
}
