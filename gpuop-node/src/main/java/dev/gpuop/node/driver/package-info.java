/** The driver container's init step: what must hold on a node before a driver container (re)starts there. */
package dev.gpuop.node.driver;
