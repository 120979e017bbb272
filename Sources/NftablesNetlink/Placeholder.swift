import CMnl
import CNftnl
